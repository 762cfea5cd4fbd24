from django.conf import settings

from telesales.core.navigation import menu_for, menu_tree


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "menu_tree": [], "languages": settings.LANGUAGES}
    path = request.path
    menu = menu_for(user)
    # The entry whose address is the longest start of the path is the current one
    # (/calls/stats/… is "Call statistics", not also "Calls").
    matches = [
        item
        for item in menu
        if path.startswith(item["url"]) and (item["url"] != "/" or path == "/")
    ]
    current = max(matches, key=lambda item: len(item["url"]), default=None)
    for item in menu:
        item["active"] = item is current
    return {"menu": menu, "menu_tree": menu_tree(menu), "languages": settings.LANGUAGES}
