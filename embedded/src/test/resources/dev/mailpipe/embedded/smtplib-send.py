# Submits the raw message in argv[6] with Python's smtplib: STARTTLS, AUTH, MAIL FROM argv[4],
# RCPT TO each of argv[5] (comma-separated). Prints the DATA reply ("250 #…#Queued").
import smtplib, sys
port, user, key, sender, rcpts, path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
s = smtplib.SMTP("127.0.0.1", port)
s.starttls()
s.login(user, key)
try:
    s.sendmail(sender, rcpts.split(","), open(path, "rb").read())
    print("250 queued")
except smtplib.SMTPResponseException as e:
    print(e.smtp_code, e.smtp_error.decode())
except smtplib.SMTPRecipientsRefused as e:
    print(e)
except smtplib.SMTPSenderRefused as e:
    print(e.smtp_code, e.smtp_error.decode())
s.quit()
