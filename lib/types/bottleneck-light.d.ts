// bottleneck's light build (no Redis clustering), which plugin-throttling itself uses, has the
// same API as the full build whose types bottleneck ships.
declare module "bottleneck/light.js" {
  import Bottleneck from "bottleneck";
  export default Bottleneck;
}
