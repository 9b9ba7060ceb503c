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


VERIFIED_LIMIT = 4096  # cookies a worker remembers as verified, then forgets all at once
_SCALARS = (str, int, float, bool, type(None))


class IdleTimeoutSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, refreshed for the idle timeout at most once per step.

    A cookie this worker has verified is remembered with what it carried and when it was signed
    (issue 24: the signed-in floor), so the same cookie on the next request is not verified and
    decoded again: the same string under the same keys verifies alike, and its age is still checked
    against the idle timeout on every request. Only a session of plain values is remembered (one
    holding a list, such as flashed messages, could be changed in place by the request)."""

    _serializers: dict = {}  # key set -> (serializer, its signer, {cookie: (items, signed at)})

    def _keyed(self, app):
        """The serializer of the app's key set, its signer and the cookies verified under it."""
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        found = self._serializers.get(keys)
        if found is None:
            for _, _, verified in self._serializers.values():  # keys changed: what the old ones verified is
                verified.clear()                               # not kept in memory any longer
            serializer = super().get_signing_serializer(app)
            found = self._serializers[keys] = (serializer, serializer.make_signer(), {})
        return found

    def get_signing_serializer(self, app):
        """One serializer per key set (Flask builds one per request)."""
        keyed = self._keyed(app)
        return keyed[0] if keyed else None

    def open_session(self, app, request):
        keyed = self._keyed(app)
        if keyed is None:
            return None
        serializer, signer, verified = keyed
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = verified.get(value)
        if known is not None:
            items, signed = known
            if not 0 <= signer.get_timestamp() - signed <= max_age:  # as itsdangerous refuses an age
                verified.pop(value, None)
                return self.session_class()
            session = self.session_class(items)
            session.signed_at = signed
            return session
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed = int(signed_at.timestamp())
        if isinstance(data, dict) and all(isinstance(item, _SCALARS) for item in data.values()):
            if len(verified) >= VERIFIED_LIMIT:
                verified.clear()  # each verified again once (safe with threads, unlike dropping the oldest)
            verified[value] = (tuple(data.items()), signed)
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
        now = self._keyed(app)[1].get_timestamp()
        return now - signed_at >= app.config.get("GOVIT_SESSION_REFRESH_SECONDS", 60)
