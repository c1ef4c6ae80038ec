import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import nodemailer, { SendMailOptions, Transporter } from 'nodemailer';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Sends email through nodemailer. With an SMTP URL it delivers; without one (the embedded
 * default) it writes each message, fully composed, as an `.eml` file under the outbox folder.
 */
export class Mailer {
  private readonly transport: Transporter;

  constructor(private readonly options: { from: string; smtpUrl?: string; outboxDir: string }) {
    this.transport = options.smtpUrl
      ? nodemailer.createTransport(options.smtpUrl)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  /** Resolves once the message is delivered (SMTP) or durably written (outbox). */
  async send(message: EmailMessage): Promise<{ messageId: string; file?: string }> {
    const options = {
      from: this.options.from,
      to: message.to,
      subject: message.subject,
      // 8bit parts keep links (and their `token=` query) intact in the raw message, where
      // quoted-printable would fold long lines and turn `=` into `=3D`.
      text: eightBitPart('text/plain', message.text),
      html: eightBitPart('text/html', message.html),
    };
    // nodemailer accepts `{ raw }` content nodes; its typings only list the usual shapes.
    const info = (await this.transport.sendMail(options as unknown as SendMailOptions)) as { messageId: string; message?: Buffer };
    if (this.options.smtpUrl) return { messageId: info.messageId };

    await mkdir(this.options.outboxDir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`;
    const file = join(this.options.outboxDir, name);
    // Written under a temporary name and renamed, so a reader never sees half a message.
    await writeFile(`${file}.tmp`, info.message!, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    return { messageId: info.messageId, file };
  }

  close(): void {
    this.transport.close();
  }
}

function eightBitPart(contentType: string, body: string): { raw: string } {
  return { raw: `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}` };
}
