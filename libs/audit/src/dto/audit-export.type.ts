import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A JSON Lines export of a seq range with its signed digest.' })
export class AuditExportResult {
  @Field(() => ID) id!: string;
  @Field(() => Float) fromSeq!: number;
  @Field(() => Float) toSeq!: number;
  @Field(() => Int) count!: number;
  @Field() fromTime!: Date;
  @Field() toTime!: Date;
  @Field({ description: 'where the .jsonl file is (file:// or s3://); the digest is next to it as .digest.json' })
  uri!: string;
  @Field() digestUri!: string;
  @Field({ description: 'SHA-256 (hex) of the .jsonl file' }) sha256!: string;
  @Field({ description: 'Ed25519 signature (base64) of the canonical digest' }) signature!: string;
  @Field() keyId!: string;
}

@ObjectType()
export class AuditSigningKey {
  @Field() keyId!: string;
  @Field({ description: 'Ed25519 public key, SPKI PEM: pin it to verify exports offline' }) publicKeyPem!: string;
}

@ObjectType()
export class AuditSettings {
  @Field(() => Int) retentionDays!: number;
  @Field() payloadLogging!: boolean;
}

@ObjectType()
export class AuditPurgeResult {
  @Field(() => Int) deleted!: number;
  @Field(() => Float, { nullable: true, description: 'events up to this seq are now only in exports' }) throughSeq!:
    number | null;
  @Field(() => ID, { nullable: true }) anchorExportId!: string | null;
}
