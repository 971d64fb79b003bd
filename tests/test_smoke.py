from casework.core.extensions import db
from casework.policy import Role
from tests import factories
from tests.conftest import csrf_token, sign_in


def test_sign_in_reaches_dashboard(client):
    account = factories.make_user(Role.CASEWORKER)
    db.session.commit()
    sign_in(client, account)
    page = client.get("/")
    assert page.status_code == 200
    assert "Welcome" in page.get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_sign_out_ends_session(client):
    account = factories.make_user(Role.SUPERVISOR)
    db.session.commit()
    sign_in(client, account)
    token = csrf_token(client, "/account")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302
