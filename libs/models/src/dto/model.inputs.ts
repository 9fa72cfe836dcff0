import { Field, Float, InputType, Int } from '@nestjs/graphql';

@InputType()
export class CreateModelInput {
  @Field({ description: 'Lower-case letters, digits, - and _ (1-64); unique within the tenant' }) name!: string;
  @Field({ nullable: true }) description?: string;
  @Field({ description: 'e.g. tabular-classification, image-classification' }) task!: string;
}

@InputType()
export class TensorSpecInput {
  @Field() name!: string;
  @Field() datatype!: string;
  @Field(() => [Int], { description: 'shape[0] must be -1 (the instance dimension)' }) shape!: number[];
  @Field(() => [String], { nullable: true }) labels?: string[] | null;
}

@InputType({ description: 'One artifact file: model.json or a weight shard named in its weightsManifest' })
export class ModelFileInput {
  @Field() path!: string;
  @Field() contentBase64!: string;
}

@InputType()
export class PublishModelVersionInput {
  @Field() model!: string;
  @Field({ description: 'layers (tf.LayersModel) or graph (tf.GraphModel)' }) format!: string;
  @Field(() => [TensorSpecInput]) inputs!: TensorSpecInput[];
  @Field(() => [TensorSpecInput]) outputs!: TensorSpecInput[];
  @Field({ nullable: true, defaultValue: 'instance', description: 'request, instance or image' }) pricingUnit?: string;
  @Field(() => [ModelFileInput], {
    nullable: true,
    description: 'model.json and its shards, base64, within the request body limit',
  })
  files?: ModelFileInput[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Tokens of files PUT to upload URLs from createModelUpload (large shards); may be combined with files',
  })
  uploadTokens?: string[] | null;
}

@InputType()
export class CreateModelUploadInput {
  @Field({ description: "The tenant's model the file is for" }) model!: string;
  @Field({ description: 'The artifact path: model.json or a shard named in its weightsManifest' }) fileName!: string;
  @Field(() => Float, { description: 'Exact size of the file in bytes, within the plan upload limit' })
  sizeBytes!: number;
  @Field(() => String, {
    nullable: true,
    description: 'SHA-256 of the file (hex): when given, an upload with other bytes is refused',
  })
  sha256?: string | null;
}

@InputType()
export class SetModelAliasInput {
  @Field() model!: string;
  @Field({ description: 'e.g. stable, canary' }) alias!: string;
  @Field(() => Int) version!: number;
  @Field(() => Int, { nullable: true }) canaryVersion?: number | null;
  @Field(() => Float, { nullable: true, description: '0..1, the share of traffic sent to canaryVersion' })
  canaryWeight?: number | null;
}
