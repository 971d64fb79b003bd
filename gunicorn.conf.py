"""Production server settings: `gunicorn -c gunicorn.conf.py wsgi:app`.

The access log leaves out the query string (%(U)s is the path only): searches carry names.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 60
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
access_log_format = "%(t)s %(m)s %(U)s %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s"
errorlog = "-"
limit_request_line = 8190
