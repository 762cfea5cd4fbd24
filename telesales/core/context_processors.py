from django.conf import settings

from telesales.core.navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "languages": settings.LANGUAGES}
    path = request.path
    menu = menu_for(user)
    for item in menu:
        item["active"] = path.startswith(item["url"]) and (item["url"] != "/" or path == "/")
    return {"menu": menu, "languages": settings.LANGUAGES}
