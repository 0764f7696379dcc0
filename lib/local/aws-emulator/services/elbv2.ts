/**
 * Elastic Load Balancing v2 over the query protocol (XML answers, namespace
 * http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/): DescribeTargetGroups and
 * DescribeTargetHealth, over target groups whose targets tests set healthy or not.
 */
import type { TargetDescription, TargetHealth, TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import { AwsServiceError, type ServiceEmulation } from "../types.ts";

export interface TargetSeed {
  id: string;
  port?: number;
  /** initial | healthy | unhealthy | unused | draining | unavailable */
  state?: string;
  reason?: string;
  description?: string;
}

export interface Elbv2Emulation extends ServiceEmulation {
  /** Creates (or returns) a target group; returns its ARN. */
  createTargetGroup(name: string, options?: { port?: number; protocol?: string }): string;
  /** Replaces the target group's targets. */
  setTargets(name: string, targets: TargetSeed[]): void;
  targetGroupArn(name: string): string | undefined;
}

const NAMESPACE = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

/**
 * @example
 * const elbv2 = createElbv2Emulation();
 * elbv2.createTargetGroup("shop-green");
 * elbv2.setTargets("shop-green", [{ id: "10.0.1.5", port: 8080, state: "healthy" }]);
 */
export function createElbv2Emulation(options: { region?: string } = {}): Elbv2Emulation {
  const region = options.region ?? process.env.AWS_REGION ?? "us-east-1";
  const groups = new Map<string, { group: TargetGroup; targets: TargetSeed[] }>();
  let serial = 0;

  const byArn = (arn: string) => [...groups.values()].find(({ group }) => group.TargetGroupArn === arn);
  const notFound = (what: string) => new AwsServiceError("TargetGroupNotFound", `Target groups '${what}' not found`);

  return {
    signingName: "elasticloadbalancing",
    protocol: "query",
    xmlNamespace: NAMESPACE,

    createTargetGroup(name, { port = 80, protocol = "HTTP" } = {}) {
      const existing = groups.get(name);
      if (existing) return existing.group.TargetGroupArn!;
      serial += 1;
      const arn = `arn:aws:elasticloadbalancing:${region}:000000000000:targetgroup/${name}/${serial.toString(16).padStart(16, "0")}`;
      groups.set(name, { group: { TargetGroupArn: arn, TargetGroupName: name, Protocol: protocol as TargetGroup["Protocol"], Port: port, TargetType: "ip" }, targets: [] });
      return arn;
    },

    setTargets(name, targets) {
      const entry = groups.get(name);
      if (!entry) throw new Error(`no target group ${name}`);
      entry.targets = targets;
    },

    targetGroupArn: (name) => groups.get(name)?.group.TargetGroupArn,

    operations: {
      DescribeTargetGroups(input: { Names?: string[]; TargetGroupArns?: string[] }) {
        if (input.Names && input.TargetGroupArns) throw new AwsServiceError("ValidationError", "Names and TargetGroupArns cannot be used together");
        let found: TargetGroup[];
        if (input.Names) {
          const missing = input.Names.filter((name) => !groups.has(name));
          if (missing.length > 0) throw notFound(missing.join(", "));
          found = input.Names.map((name) => groups.get(name)!.group);
        } else if (input.TargetGroupArns) {
          const missing = input.TargetGroupArns.filter((arn) => !byArn(arn));
          if (missing.length > 0) throw notFound(missing.join(", "));
          found = input.TargetGroupArns.map((arn) => byArn(arn)!.group);
        } else {
          found = [...groups.values()].map(({ group }) => group);
        }
        return { TargetGroups: found };
      },
      DescribeTargetHealth(input: { TargetGroupArn?: string }) {
        const entry = byArn(input.TargetGroupArn ?? "");
        if (!entry) throw notFound(input.TargetGroupArn ?? "");
        return {
          TargetHealthDescriptions: entry.targets.map((t) => {
            const target: TargetDescription = { Id: t.id, ...(t.port !== undefined ? { Port: t.port } : {}) };
            const health: TargetHealth = {
              State: (t.state ?? "healthy") as TargetHealth["State"],
              ...(t.reason ? { Reason: t.reason as TargetHealth["Reason"] } : {}),
              ...(t.description ? { Description: t.description } : {}),
            };
            return { Target: target, HealthCheckPort: String(t.port ?? entry.group.Port ?? 80), TargetHealth: health };
          }),
        };
      },
    },
  };
}
