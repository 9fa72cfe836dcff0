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

/** The IAM5 finding id for "every object of this bucket", as cdk-nag spells an imported bucket's ARN. */
export function objectsFinding(bucket: s3.IBucket): string {
  const name = JSON.stringify(Stack.of(bucket).resolve(bucket.bucketName));
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${renderName(name)}/*]`;
}

/** `{"Fn::Join":["",["maas-artifacts-",{"Ref":"AWS::AccountId"},...]]}` -> `maas-artifacts-<AWS::AccountId>...`. */
function renderName(resolved: string): string {
  const value: unknown = JSON.parse(resolved);
  if (typeof value === 'string') return value;
  const parts = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return parts.map((p) => (typeof p === 'string' ? p : `<${(p as { Ref: string }).Ref}>`)).join('');
}

/** Grants from aws-cdk-lib on KMS-encrypted buckets: action wildcards limited to the one bucket/key. */
export const BUCKET_GRANT_ACTIONS = [
  'AwsSolutions-IAM5[Action::s3:GetBucket*]',
  'AwsSolutions-IAM5[Action::s3:GetObject*]',
  'AwsSolutions-IAM5[Action::s3:List*]',
];
