"""Extensions are created here, unbound, and bound to the app in `create_app`."""

from __future__ import annotations

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_session import Session
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from casework.core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
server_session = Session()
# Limits are declared on the views; storage (Redis or memory) comes from settings.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
