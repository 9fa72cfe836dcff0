import { Module } from '@nestjs/common';
import { ApiKeyService } from './api-key.service';
import { ApiKeyVerifier } from './api-key-verifier.service';
import { ApiKeyResolver } from './api-key.resolver';

@Module({ providers: [ApiKeyService, ApiKeyVerifier, ApiKeyResolver], exports: [ApiKeyVerifier, ApiKeyService] })
export class ApiKeysModule {}
