"""OneFS-style API errors."""


class ApiError(Exception):
    """An error answered with the OneFS error envelope."""

    def __init__(self, status, code, message, field=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def body(self):
        err = {"code": self.code, "message": self.message}
        if self.code is None:
            err = {"message": self.message}
        if self.field:
            err["field"] = self.field
        return {"errors": [err]}


def bad_request(message, field=None):
    return ApiError(400, "AEC_BAD_REQUEST", message, field)


def arg_required(field):
    return ApiError(400, "AEC_ARG_REQUIRED", "Field: %s required" % field, field)


def not_found(message):
    return ApiError(404, "AEC_NOT_FOUND", message)


def conflict(message, field=None):
    return ApiError(409, "AEC_CONFLICT", message, field)


def forbidden(message="Privilege check failed"):
    return ApiError(403, "AEC_FORBIDDEN", message)


def unauthorized():
    return ApiError(401, None, "authorization required")


SHARE_CONTENTION_MESSAGE = "Conflict updating share(s): File exists"
