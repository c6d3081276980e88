/**
 * One deployment of the CDK app, as CDK context (`npx cdk synth -c stage=… -c region=… -c identity='{…}'`;
 * README "Deploying to AWS"): which stage, where (account, region, and so the partition), who the
 * staff are (schemas/identity.ts), which SMS gateway, and where alarms go. lib/aws/deployment.ts
 * validates it and refuses, at synth time, what the region does not offer.
 */
import { z } from 'zod';
import { IdentitySettingsSchema } from './identity.ts';
import { STAGE_PATTERN } from './resource-env.ts';
import { SmsProviderSchema } from './sms.ts';

/** Who is told when an alarm fires: one endpoint subscribed to the one on-call topic. */
export const OnCallSchema = z.discriminatedUnion('protocol', [
  z.strictObject({ protocol: z.literal('email'), endpoint: z.email() }),
  z.strictObject({
    protocol: z.literal('sms'),
    endpoint: z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number, e.g. +8613800138000'),
  }),
  /** A paging gateway that accepts SNS notifications over HTTPS (it must confirm the subscription). */
  z.strictObject({ protocol: z.literal('https'), endpoint: z.url({ protocol: /^https$/ }) }),
]);
export type OnCall = z.infer<typeof OnCallSchema>;

export const DeploymentSchema = z.strictObject({
  /** In every physical name and stack name; several stages can share an account and region. */
  stage: z
    .string()
    .regex(STAGE_PATTERN, 'a stage is 1–16 lowercase letters and digits, starting with a letter')
    .default('prod'),
  account: z
    .string()
    .regex(/^\d{12}$/, 'a 12-digit account id')
    .optional(),
  /** The region, and with it the partition (cn-north-1, cn-northwest-1 → aws-cn). Unset: any aws region. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'a region code such as cn-north-1')
    .optional(),
  /** The fixed-IP VPC's zones; lets `cdk synth` run offline when the account is known. */
  availabilityZones: z.array(z.string().min(1)).min(2).max(3).optional(),
  /** Staff sign-in. Unset: a Cognito user pool, where Cognito user pools exist. */
  identity: IdentitySettingsSchema.optional(),
  /** Overrides the blueprint's SMS_PROVIDER for every function that has it. */
  smsProvider: SmsProviderSchema.optional(),
  onCall: OnCallSchema.optional(),
});
export type DeploymentInput = z.input<typeof DeploymentSchema>;
export type DeploymentSettings = z.output<typeof DeploymentSchema>;
