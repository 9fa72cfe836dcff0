import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { Public } from '@app/auth';
import type { RawBodyRequest } from './raw-body.hook';
import { StripeWebhookService } from './stripe-webhook.service';

/** Stripe's webhooks: public (Stripe has no session), authenticated by the signature instead. */
@Controller('webhooks')
export class StripeWebhookController {
  constructor(private readonly webhooks: StripeWebhookService) {}

  @Public()
  @Post('stripe')
  @HttpCode(200)
  @RouteConfig({ rawBody: true })
  async receive(
    @Req() req: RawBodyRequest,
    @Headers('stripe-signature') signature?: string,
  ): Promise<{ received: true; duplicate: boolean }> {
    const event = this.webhooks.verify(req.rawBody, signature);
    const applied = await this.webhooks.apply(event);
    return { received: true, duplicate: !applied };
  }
}
