"""The session cookie, signed again only when it must be (issue 24: the signed-in floor).

The idle timeout (等保 三级, PERMANENT_SESSION_LIFETIME, 30 minutes) is the cookie's signing time,
checked on every request. Flask's SESSION_REFRESH_EACH_REQUEST signs a new cookie on every request
to move it; here it is moved at most every GOVIT_SESSION_REFRESH_SECONDS (60): a request whose
cookie was signed less than that long ago sends no new cookie unless the session changed. So a
session ends between 29 and 30 idle minutes after the last request, never later; ending a session
(logout, the sessions page, a password change …) stays immediate, since every request checks the
server-side session row (auth.services.signed_in_user)."""
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature


class IdleTimeoutSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, refreshed for the idle timeout at most once per step."""

    _serializers: dict = {}

    def get_signing_serializer(self, app):
        """One serializer per key set (Flask builds one per request)."""
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        found = self._serializers.get(keys)
        if found is None:
            found = self._serializers[keys] = super().get_signing_serializer(app)
        return found

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = int(signed.timestamp())
        return session

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        if signed_at is None:
            return True
        # the signer's own clock, so that the cookie's age is measured as itsdangerous measures it
        now = self.get_signing_serializer(app).make_signer().get_timestamp()
        return now - signed_at >= app.config.get("GOVIT_SESSION_REFRESH_SECONDS", 60)
