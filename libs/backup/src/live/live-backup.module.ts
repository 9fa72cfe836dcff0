import { Module } from '@nestjs/common';
import { LiveBackupServer } from './live-backup.server';

/** Lets `npm run backup` back up a running embedded platform (the api imports it). */
@Module({ providers: [LiveBackupServer] })
export class LiveBackupModule {}
