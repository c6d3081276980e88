/**
 * Fixed-IP egress for functions whose provider whitelists caller IPs (WeChat: 40164 "invalid ip,
 * not in whitelist"): a VPC whose private subnets leave through one NAT gateway with an Elastic IP
 * we own, plus a free gateway endpoint so DynamoDB traffic does not pay for NAT. The IP is a stack
 * output, to paste into the account's IP whitelist.
 */
import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import {
  CfnEIP,
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  NatProvider,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export class FixedIpEgress extends Construct {
  readonly vpc: Vpc;
  readonly securityGroup: SecurityGroup;
  readonly eip: CfnEIP;

  /** `availabilityZones`: the zones to use, so a synth for a known account needs no AZ lookup. */
  constructor(scope: Construct, id: string, props: { availabilityZones?: string[] } = {}) {
    super(scope, id);
    this.eip = new CfnEIP(this, 'Ip', { domain: 'vpc' });
    this.eip.applyRemovalPolicy(RemovalPolicy.RETAIN); // the whitelisted IP must survive redeploys
    const flowLogs = new LogGroup(this, 'FlowLogs', { retention: RetentionDays.ONE_MONTH });
    this.vpc = new Vpc(this, 'Vpc', {
      ...(props.availabilityZones
        ? { availabilityZones: props.availabilityZones.slice(0, 2) }
        : { maxAzs: 2 }),
      natGateways: 1,
      natGatewayProvider: NatProvider.gateway({ eipAllocationIds: [this.eip.attrAllocationId] }),
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'egress', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      gatewayEndpoints: { DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB } },
      flowLogs: {
        all: {
          destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: FlowLogTrafficType.ALL,
        },
      },
    });
    this.securityGroup = new SecurityGroup(this, 'FunctionsSg', {
      vpc: this.vpc,
      description: 'Functions with fixed-IP egress: no inbound, all outbound (HTTPS to providers, AWS APIs)',
      allowAllOutbound: true,
    });
    new CfnOutput(this, 'EgressIp', {
      value: this.eip.attrPublicIp,
      description: 'Add this IP to each WeChat Official Account’s IP whitelist (开发 → 基本配置 → IP白名单)',
    });
  }
}
