"""Template context shared by every page: what the navigation may offer this user."""

from unionboard import roles


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "city_wide": roles.is_city_wide(user),
            "officer": roles.is_officer(user),
            "can_edit": roles.can_edit_records(user),
            "admin": user.is_staff,
        }
    }
