import { Stack, StackProps } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { PlatformConfig } from './config';

export interface EdgeStackProps extends StackProps {
  readonly config: PlatformConfig;
}

/**
 * WAF cannot be attached to an API Gateway HTTP API, so the API is fronted by CloudFront and
 * this web ACL (CloudFront scope, which AWS only accepts in us-east-1) guards the distribution.
 */
export class EdgeStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const visibility = (metricName: string) => ({
      metricName,
      sampledRequestsEnabled: true,
      cloudWatchMetricsEnabled: true,
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'ApiWebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('maas-api'),
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.config.wafRequestsPer5MinPerIp, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('maas-api-rate'),
        },
        {
          name: 'aws-known-bad-inputs',
          priority: 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
          visibilityConfig: visibility('maas-api-bad-inputs'),
        },
      ],
    });
  }
}
