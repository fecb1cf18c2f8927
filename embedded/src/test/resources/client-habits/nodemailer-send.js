// Sends one message with nodemailer as an application would: X-SMTPAPI as a custom header,
// which nodemailer writes before its own MIME headers. Prints the SMTP response and messageId.
const nodemailer = require('nodemailer');
const [port, user, pass, xsmtpapi] = process.argv.slice(2);
const transport = nodemailer.createTransport({
  host: '127.0.0.1', port: Number(port), secure: false,
  auth: { user, pass }, tls: { rejectUnauthorized: false },
});
transport.sendMail({
  from: 'support@ifaxin.test',
  to: 'ben@ifaxin.test',
  subject: 'Hello %name% from nodemailer',
  text: 'Dear %name%, your balance is %money% yuan.',
  headers: { 'X-SMTPAPI': xsmtpapi, 'SC-Custom-client': 'nodemailer' },
}).then(info => {
  console.log('response: ' + info.response);
  console.log('messageId: ' + info.messageId);
}, error => {
  console.log('error: ' + error.message + (error.response ? ' ' + error.response : ''));
  process.exit(1);
});
