import { Field, Float, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'One artifact file of a version, by its content address' })
export class ModelFile {
  @Field({ description: 'Relative to model.json' }) path!: string;
  @Field() sha256!: string;
  @Field(() => Float) sizeBytes!: number;
}

@ObjectType({
  description: "A short-lived signed URL of a version's model.json; its weight files resolve relative to it",
})
export class ModelDownload {
  @Field() url!: string;
  @Field() expiresAt!: Date;
  @Field(() => [ModelFile]) files!: ModelFile[];
}
