import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'One HTTP header a signed upload request must carry exactly as given' })
export class HttpHeader {
  @Field() name!: string;
  @Field() value!: string;
}

@ObjectType({
  description:
    'Where to PUT one model file (raw bytes). In S3 mode a presigned URL of the bucket: send exactly the headers listed, no credentials. In local mode the api: send the headers listed and the same credentials as the API',
})
export class ModelUpload {
  @Field({ description: 'PUT the file here before expiresAt' }) uploadUrl!: string;
  @Field(() => [HttpHeader], { description: 'Headers the PUT must carry (signed, in S3 mode)' })
  headers!: HttpHeader[];
  @Field({ description: 'Pass it to publishModelVersion(input: { uploadTokens })' }) token!: string;
  @Field() expiresAt!: Date;
}
