import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { ConfigurationSet, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { ENV } from '../../functions/env-names.ts';

/** The SES (v1 API) actions the mail adapter calls: SendEmail only (functions/adapters/ses/mailer.ts). */
export const SEND_ACTIONS = ['ses:SendEmail'] as const;

export interface MailerProps {
  /** The From address of every email. */
  readonly senderEmail: string;
  /** The verified SES identity (domain or address) the From address belongs to. */
  readonly sesIdentity: string;
  /** Operators (notifications: errors, stuck tasks, bounces; never approvals), written to `ASSENT_OPERATOR_EMAILS`. */
  readonly operatorEmails: readonly string[];
  /**
   * Recipient identities to authorize as well: while the account is in the SES sandbox, SES checks
   * `ses:SendEmail` against each (verified) recipient identity too.
   * @default - none: the account has SES production access
   */
  readonly sandboxRecipients?: readonly string[];
}

/**
 * Sending mail through SES: the sender, the scoped grant and the configuration set every email is
 * sent with (reputation metrics; its bounce and complaint events are wired by
 * lib/constructs/mail-feedback.ts). The identity is verified outside the stack (DNS, see
 * docs/deploying.md).
 */
export class Mailer extends Construct {
  /** `arn:aws:ses:<region>:<account>:identity/<identity>` of the sender identity. */
  readonly identityArn: string;
  /** Identity ARNs `ses:SendEmail` is granted on (sender, then sandbox recipients). */
  readonly grantedIdentityArns: readonly string[];
  /** The configuration set of every email. */
  readonly configurationSet: ConfigurationSet;
  /** `arn:aws:ses:<region>:<account>:configuration-set/<name>`: SES authorizes sending with it too. */
  readonly configurationSetArn: string;
  private readonly props: MailerProps;

  constructor(scope: Construct, id: string, props: MailerProps) {
    super(scope, id);
    this.props = props;
    this.identityArn = this.arnOf('identity', props.sesIdentity);
    this.grantedIdentityArns = [...new Set([props.sesIdentity, ...(props.sandboxRecipients ?? [])])].map((identity) => this.arnOf('identity', identity));
    this.configurationSet = this.createConfigurationSet();
    this.configurationSetArn = this.arnOf('configuration-set', this.configurationSet.configurationSetName);
  }

  /**
   * Lets `fn` send mail: sets `ASSENT_MAIL_FROM`, `ASSENT_OPERATOR_EMAILS` and
   * `ASSENT_MAIL_CONFIGURATION_SET`, and grants `ses:SendEmail` as the identity with that
   * configuration set (SES checks both resources), nothing else.
   */
  bindMailer(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.mailFrom, this.props.senderEmail);
    fn.addEnvironment(ENV.operatorEmails, this.props.operatorEmails.join(','));
    fn.addEnvironment(ENV.mailConfigurationSet, this.configurationSet.configurationSetName);
    fn.addToRolePolicy(new PolicyStatement({ actions: [...SEND_ACTIONS], resources: [...this.grantedIdentityArns, this.configurationSetArn] }));
  }

  /** Sending on, reputation metrics on, and the suppression list for bounces and complaints. */
  private createConfigurationSet(): ConfigurationSet {
    return new ConfigurationSet(this, 'ConfigurationSet', {
      sendingEnabled: true,
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
  }

  private arnOf(resource: 'identity' | 'configuration-set', name: string): string {
    return Stack.of(this).formatArn({ service: 'ses', resource, resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  }
}
