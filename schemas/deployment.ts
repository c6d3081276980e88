/**
 * One deployment of the CDK app, as CDK context (`npx cdk synth -c stage=… -c region=… -c identity='{…}'`;
 * README "Deploying to AWS"): which stage, where (account, region, and so the partition), who the
 * staff are (schemas/identity.ts), which SMS gateway, and where alarms go. lib/aws/deployment.ts
 * validates it and refuses, at synth time, what the region does not offer.
 */
import * as z from 'zod';
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

/**
 * Where the staff console is served (S3 behind CloudFront). Unset: at the distribution's own domain
 * where CloudFront serves one (aws); in aws-cn CloudFront serves only an ICP-filed alternate domain
 * with a certificate uploaded to IAM (no ACM there), so those must be given or the console is not hosted.
 */
export const ConsoleHostingSchema = z
  .strictObject({
    /** false: do not host the console (the API stays usable by other clients). */
    enabled: z.boolean().default(true),
    /** An alternate domain name (CNAME) for the distribution, e.g. console.jtgl.example.gov.cn. */
    domainName: z
      .string()
      .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lowercase DNS name')
      .optional(),
    /** aws: an ACM certificate for domainName, in us-east-1 (CloudFront's certificates live there). */
    certificateArn: z
      .string()
      .regex(/^arn:aws:acm:us-east-1:\d{12}:certificate\/[\w-]+$/, 'an ACM certificate ARN in us-east-1')
      .optional(),
    /** aws-cn: the id of the server certificate uploaded to IAM (e.g. ASCA…) for domainName. */
    iamCertificateId: z
      .string()
      .regex(/^[A-Z0-9]{16,32}$/, 'an IAM server certificate id such as ASCAEXAMPLE1234567890')
      .optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.certificateArn || c.iamCertificateId) && !c.domainName)
      ctx.addIssue({
        code: 'custom',
        path: ['domainName'],
        message: 'a certificate needs the domain it is for',
      });
    if (c.certificateArn && c.iamCertificateId)
      ctx.addIssue({ code: 'custom', path: ['iamCertificateId'], message: 'give one certificate, not two' });
  });
export type ConsoleHostingInput = z.input<typeof ConsoleHostingSchema>;

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
  /** The staff console's hosting (S3 + CloudFront). */
  console: ConsoleHostingSchema.optional(),
});
export type DeploymentInput = z.input<typeof DeploymentSchema>;
export type DeploymentSettings = z.output<typeof DeploymentSchema>;
