import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A JSON Lines export of a seq range with its signed digest.' })
export class AuditExportResult {
  @Field(() => ID) id!: string;
  @Field(() => Float) fromSeq!: number;
  @Field(() => Float) toSeq!: number;
  @Field(() => Int) count!: number;
  @Field() fromTime!: Date;
  @Field() toTime!: Date;
  @Field({
    description:
      'where the .jsonl file is as you see it: s3://bucket/key, or (exports kept by the api) its signed download link',
  })
  uri!: string;
  @Field({ description: 'the same for the signed digest (.digest.json)' }) digestUri!: string;
  @Field(() => String, { nullable: true, description: 's3://bucket/key of the file; null when the api keeps it' })
  location!: string | null;
  @Field(() => String, { nullable: true }) digestLocation!: string | null;
  @Field({ description: 'a short-lived link to download the file (presigned S3 GET, or signed api link)' })
  downloadUrl!: string;
  @Field() digestDownloadUrl!: string;
  @Field({ description: 'when downloadUrl and digestDownloadUrl stop working; auditExportDownload gives new ones' })
  downloadExpiresAt!: Date;
  @Field({ description: 'SHA-256 (hex) of the .jsonl file' }) sha256!: string;
  @Field({ description: 'Ed25519 signature (base64) of the canonical digest' }) signature!: string;
  @Field() keyId!: string;
}

@ObjectType({ description: "Fresh download links to one of the tenant's exports." })
export class AuditExportDownload {
  @Field(() => ID) id!: string;
  @Field() uri!: string;
  @Field() digestUri!: string;
  @Field(() => String, { nullable: true }) location!: string | null;
  @Field(() => String, { nullable: true }) digestLocation!: string | null;
  @Field() downloadUrl!: string;
  @Field() digestDownloadUrl!: string;
  @Field() downloadExpiresAt!: Date;
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
