import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { Settings } from './settings.ts';

/** CloudFront takes a web ACL of scope CLOUDFRONT and an ACM certificate only from this region. */
export const EDGE_REGION = 'us-east-1';

/**
 * Requests per caller address in any 5 minutes before WAF blocks it for a while: far above what an official or a
 * pemohon does by hand (a task page, its previews and a few posts), far below a flood.
 */
export const RATE_LIMIT_PER_5_MINUTES = 600;

export interface EdgeProps extends StackProps {
  readonly settings: Settings;
}

/**
 * What the front door (the CloudFront distribution in SepakatStateless) needs from us-east-1: the WAF web ACL
 * (a rate-based rule per caller address, and the AWS managed common rule set) and, with `sepakat:customDomain`, the
 * ACM certificate of that name (DNS validation: the pemda's DNS, rarely Route 53, gets the record by hand). The
 * distribution refers to both across regions (`crossRegionReferences`).
 */
export class SepakatEdge extends Stack {
  readonly webAcl: CfnWebACL;
  readonly certificate?: Certificate;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id, { crossRegionReferences: true, ...props });
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    this.webAcl = new CfnWebACL(this, 'FrontDoorAcl', {
      name: 'sepakat-pintu-depan',
      description: 'Sepakat: the guard of the front door, CloudFront before the HTTP API',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('sepakat-pintu-depan'),
      rules: [
        {
          name: 'batas-per-alamat',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: RATE_LIMIT_PER_5_MINUTES, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('sepakat-batas-per-alamat'),
        },
        {
          name: 'AWSManagedRulesCommonRuleSet',
          priority: 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              // Bodies above 8 KB are ours to take: a naskah's pasal saved from the editor, a PDF on /verifikasi
              // (the app bounds each body itself). Counted, not blocked.
              ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
            },
          },
          visibilityConfig: visibility('sepakat-aturan-umum'),
        },
      ],
    });

    const domain = props.settings.customDomain;
    if (domain) {
      this.certificate = new Certificate(this, 'SiteCertificate', {
        domainName: domain,
        certificateName: `Sepakat ${domain}`,
        // No hosted zone: a .go.id zone is the pemda's (or Kominfo's), rarely in Route 53.
        validation: CertificateValidation.fromDns(),
      });
      new CfnOutput(this, 'SertifikatValidasiDns', {
        description: `The DNS record that validates the certificate of ${domain}: create it in the pemda's DNS. While the deploy waits, it is in this stack's events ("Content of DNS Record is: …"); afterwards the command prints it. Keep it: ACM renews the certificate through it.`,
        value: `aws acm describe-certificate --region ${EDGE_REGION} --certificate-arn ${this.certificate.certificateArn} --query "Certificate.DomainValidationOptions[].ResourceRecord"`,
      });
    }
  }
}
