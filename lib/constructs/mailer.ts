import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV } from '../../functions/env-names.ts';

/** The SES (v1 API) actions the mail adapter calls. */
export const SEND_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail'] as const;

export interface MailerProps {
  /** The From address of every email. */
  readonly senderEmail: string;
  /** The verified SES identity (domain or address) the From address belongs to. */
  readonly sesIdentity: string;
  /** Approvers and operators, written to `ASSENT_ADMIN_EMAILS`. */
  readonly adminEmails: readonly string[];
  /**
   * Recipient identities to authorize as well: while the account is in the SES sandbox, SES checks
   * `ses:SendEmail` against each (verified) recipient identity too.
   * @default - none: the account has SES production access
   */
  readonly sandboxRecipients?: readonly string[];
}

/**
 * Sending mail through SES. Creates nothing: the identity is verified outside the stack (DNS, see
 * docs/deploying.md); this construct holds the sender and the scoped grant.
 */
export class Mailer extends Construct {
  /** `arn:aws:ses:<region>:<account>:identity/<identity>` of the sender identity. */
  readonly identityArn: string;
  /** Identity ARNs `ses:SendEmail`/`ses:SendRawEmail` are granted on (sender, then sandbox recipients). */
  readonly grantedIdentityArns: readonly string[];
  private readonly props: MailerProps;

  constructor(scope: Construct, id: string, props: MailerProps) {
    super(scope, id);
    this.props = props;
    this.identityArn = this.arnOf(props.sesIdentity);
    this.grantedIdentityArns = [...new Set([props.sesIdentity, ...(props.sandboxRecipients ?? [])])].map((identity) =>
      this.arnOf(identity),
    );
  }

  /** Lets `fn` send mail: sets `ASSENT_MAIL_FROM` and `ASSENT_ADMIN_EMAILS`, grants sending as the identity. */
  bindMailer(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.mailFrom, this.props.senderEmail);
    fn.addEnvironment(ENV.adminEmails, this.props.adminEmails.join(','));
    fn.addToRolePolicy(new PolicyStatement({ actions: [...SEND_ACTIONS], resources: [...this.grantedIdentityArns] }));
  }

  private arnOf(identity: string): string {
    return Stack.of(this).formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: identity,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }
}
