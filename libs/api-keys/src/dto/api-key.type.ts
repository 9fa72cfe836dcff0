import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { PageInfo } from '@app/common';

@ObjectType()
export class ApiKey {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({
    description: 'The first characters of the key, e.g. mk_live_3xQa7bZk: enough to recognise it, useless to use it',
  })
  prefix!: string;
  @Field(() => [String]) scopes!: string[];
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKey) apiKey!: ApiKey;
  @Field({ description: 'The key itself. Shown once: it cannot be retrieved again.' }) secret!: string;
}

@ObjectType()
export class ApiKeyEdge {
  @Field(() => ApiKey) node!: ApiKey;
  @Field() cursor!: string;
}

@ObjectType()
export class ApiKeyConnection {
  @Field(() => [ApiKeyEdge]) edges!: ApiKeyEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@InputType()
export class CreateApiKeyInput {
  @Field() name!: string;
  @Field(() => [String], {
    description: 'inference:run, models:read, models:write, usage:read, billing:read, audit:read, keys:write, admin',
  })
  scopes!: string[];
  @Field(() => Date, { nullable: true }) expiresAt?: Date | null;
}
