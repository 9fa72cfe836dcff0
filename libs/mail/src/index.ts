/**
 * @app/mail: the platform's outgoing e-mail (SMTP through nodemailer, or .eml files in
 * DATA_DIR/mail in embedded mode). Depends on @app/common only.
 */
export * from './mail-config';
export * from './mail.service';
export * from './mail.module';
