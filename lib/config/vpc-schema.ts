/**
 * Network placement in runway.yml: which VPC an environment's runner builds join
 * (`environments.<name>.codebuild.vpc`) and which subnets the deploy hook functions join
 * (`deploy.vpc`). Either one is optional; without it CodeBuild and Lambda run outside any VPC
 * and reach only what is reachable from the internet.
 *
 * The ids are checked in AWS's own formats (`vpc-`, `subnet-`, `sg-` and 8 or 17 hexadecimal
 * digits) and counts, so a pasted name or ARN is refused when the file loads rather than by
 * CloudFormation half way through a deployment. That the subnets belong to the VPC, and the
 * security groups allow what the builds need, only AWS can tell.
 *
 * @example
 * environments:
 *   prd:
 *     codebuild:
 *       project: runway-runner-prd
 *       vpc:
 *         vpcId: vpc-0a1b2c3d4e5f60718
 *         subnetIds: [subnet-0a1b2c3d4e5f60718, subnet-08f7e6d5c4b3a2910]
 *         securityGroupIds: [sg-0a1b2c3d4e5f60718]
 * deploy:
 *   vpc:
 *     subnetIds: [subnet-0a1b2c3d4e5f60718]
 *     securityGroupIds: [sg-0123456789abcdef0]
 */
import * as z from "zod";

/** An EC2 resource id: its prefix, then 8 hexadecimal digits (older ids) or 17 (current ones). */
function ec2Id(prefix: string, what: string) {
  return z
    .string({ error: () => `expected a ${what} id like ${prefix}-0123456789abcdef0` })
    .regex(new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`), {
      error: (issue) => `"${String(issue.input)}" is not a ${what} id: write the id, like ${prefix}-0123456789abcdef0 (not its name or ARN)`,
    });
}

/** A list of ids, each once: CodeBuild and Lambda take at most `max` of them. */
function idList(id: z.ZodString, what: string, max: number) {
  return z
    .array(id, { error: () => `${what} is a list of ids, e.g. [${what === "subnetIds" ? "subnet" : "sg"}-0123456789abcdef0]` })
    .min(1, `${what} needs at least one id: CodeBuild and Lambda need a subnet and a security group to place a network interface`)
    .max(max, `at most ${max} ${what}: AWS refuses more`)
    .superRefine((ids, ctx) => {
      ids.forEach((value, index) => {
        if (ids.indexOf(value) !== index) ctx.addIssue({ code: "custom", path: [index], message: `${value} is listed twice` });
      });
    });
}

// Both services' limits: CodeBuild's VpcConfig and Lambda's take 16 subnets and 5 security groups.
const subnetIds = idList(ec2Id("subnet", "subnet"), "subnetIds", 16);
const securityGroupIds = idList(ec2Id("sg", "security group"), "securityGroupIds", 5);

/**
 * The VPC of an environment's runner builds. Give private subnets whose route table has a NAT
 * gateway: a runner must reach github.com, and CodeBuild gives a build's network interface no
 * public address.
 */
export const runnerVpcSchema = z.strictObject({
  vpcId: ec2Id("vpc", "VPC"),
  subnetIds,
  securityGroupIds,
});

/**
 * Where the deploy hook functions run: one setting for the whole stage, since the same six
 * functions (five CodeDeploy hooks and ecs-hook) serve every environment the stage serves. Lambda
 * takes the VPC from the subnets. A function in a VPC reaches AWS's APIs (CodeDeploy, to report
 * the hook; SQS, for the Slack notifications; CloudWatch, ECS, Elastic Load Balancing, Lambda for
 * its checks) only through a NAT gateway or VPC interface endpoints for those services.
 */
export const hookVpcSchema = z.strictObject({ subnetIds, securityGroupIds });

export type RunnerVpc = z.infer<typeof runnerVpcSchema>;
export type HookVpc = z.infer<typeof hookVpcSchema>;
