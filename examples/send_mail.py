#!/usr/bin/env python3
"""Send one message through mailpipe's SMTP API, as SendCloud's Python examples do.

Usage: MAILPIPE_API_USER=... MAILPIPE_API_KEY=... python3 examples/send_mail.py [rcpt ...]
Optional: MAILPIPE_HOST (127.0.0.1), MAILPIPE_SMTP_PORT (2525), MAILPIPE_LABEL (a label id),
MAILPIPE_STARTTLS=1 to encrypt, MAILPIPE_SUBSTITUTE=1 to personalise with X-SMTPAPI.
Prints the server's reply: 250 #<messageId>#Queued.
"""
import base64
import json
import os
import smtplib
import sys
from email.header import Header
from email.mime.text import MIMEText

host = os.environ.get("MAILPIPE_HOST", "127.0.0.1")
port = int(os.environ.get("MAILPIPE_SMTP_PORT", "2525"))
api_user = os.environ["MAILPIPE_API_USER"]
api_key = os.environ["MAILPIPE_API_KEY"]
label = os.environ.get("MAILPIPE_LABEL")
recipients = sys.argv[1:] or ["ben@example.test", "joe@example.test"]

msg = MIMEText("Dear %name%, your balance is %money% yuan.", "plain", "utf-8")
msg["Subject"] = Header("Hello %name%", "utf-8")
msg["From"] = "support@sender.test"
msg["To"] = recipients[0]
msg["SC-Custom-campaign"] = "readme-example"
if os.environ.get("MAILPIPE_SUBSTITUTE", "1") == "1":
    x_smtpapi = {
        "to": recipients,
        "sub": {
            "%name%": [r.split("@")[0].title() for r in recipients],
            "%money%": [100 + i for i in range(len(recipients))],
        },
    }
    # X-SMTPAPI may stand anywhere in the header block (exactly one).
    msg["X-SMTPAPI"] = base64.b64encode(json.dumps(x_smtpapi).encode()).decode()

s = smtplib.SMTP(host, port)
s.ehlo("client.example")
if os.environ.get("MAILPIPE_STARTTLS") == "1":
    s.starttls()
    s.ehlo("client.example")
s.login(api_user + ("#" + label if label else ""), api_key)
s.mail(msg["From"])
for r in recipients:
    s.rcpt(r)
code, reply = s.data(msg.as_string())
print(code, reply.decode())
s.quit()
sys.exit(0 if code == 250 else 1)
