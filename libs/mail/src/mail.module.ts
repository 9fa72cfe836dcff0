import { Module } from '@nestjs/common';
import { MAIL_CONFIG, mailConfigFromEnv } from './mail-config';
import { MailService } from './mail.service';

@Module({
  providers: [{ provide: MAIL_CONFIG, useFactory: () => mailConfigFromEnv() }, MailService],
  exports: [MailService],
})
export class MailModule {}
