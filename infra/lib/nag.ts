import { Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag findings on a construct and its children, each with the reason why the
 * finding is accepted. cdk-nag v3 needs one acknowledgement per finding id.
 */
export function acknowledge(scope: IConstruct, reason: string, ...ids: string[]): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/** The IAM5 finding id for "every object of this bucket", spelled as cdk-nag renders the ARN. */
export function objectsFinding(bucket: s3.IBucket): string {
  return `AwsSolutions-IAM5[Resource::${render(Stack.of(bucket).resolve(bucket.arnForObjects('*')))}]`;
}

/** Renders a resolved CloudFormation value the way cdk-nag does: `{"Ref":"X"}` becomes `<X>`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (v.Ref) return `<${v.Ref}>`;
  if (v['Fn::Join']) return v['Fn::Join'][1].map(render).join(v['Fn::Join'][0]);
  throw new Error(`objectsFinding: cannot render ${JSON.stringify(value)}`);
}

/** Grants from aws-cdk-lib on KMS-encrypted buckets: action wildcards limited to the one bucket/key. */
export const BUCKET_GRANT_ACTIONS = [
  'AwsSolutions-IAM5[Action::s3:GetBucket*]',
  'AwsSolutions-IAM5[Action::s3:GetObject*]',
  'AwsSolutions-IAM5[Action::s3:List*]',
];

/** The write side of a read-write bucket grant (aws-cdk-lib), on the one bucket/key. */
export const BUCKET_WRITE_ACTIONS = [
  'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
  'AwsSolutions-IAM5[Action::s3:Abort*]',
  'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
  'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
];
