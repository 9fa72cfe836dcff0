import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({
  description:
    'Where to PUT one model file (raw bytes, Content-Type: application/octet-stream), with the same credentials as the API',
})
export class ModelUpload {
  @Field({ description: 'PUT the file here before expiresAt' }) uploadUrl!: string;
  @Field({ description: 'Pass it to publishModelVersion(input: { uploadTokens })' }) token!: string;
  @Field() expiresAt!: Date;
}
