# Sends one message with Python's email.message.EmailMessage, X-SMTPAPI set before set_content():
# the header then stands before MIME-Version and Content-Type.
import smtplib, sys
from email.message import EmailMessage

port, user, password, xsmtpapi = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
msg = EmailMessage()
msg["X-SMTPAPI"] = xsmtpapi
msg["From"] = "support@ifaxin.test"
msg["To"] = "ben@ifaxin.test"
msg["Subject"] = "Hello %name% from EmailMessage"
msg.set_content("Dear %name%, your balance is %money% yuan.\n")
with smtplib.SMTP("127.0.0.1", port) as s:
    s.starttls()
    s.login(user, password)
    s.mail(msg["From"])
    s.rcpt("ben@ifaxin.test")
    # what send_message() transmits (CRLF line ends), keeping the reply that carries the messageId
    code, reply = s.data(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    print("response:", code, reply.decode())
