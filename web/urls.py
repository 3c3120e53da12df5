from django.urls import path, re_path

from web import api, openapi, views
from web import feeds as syndication

app_name = "trends"
urlpatterns = [
    # Readers' pages.
    path("", views.front_page, name="front"),
    path("trend/<int:pk>/", views.story_page, name="story"),
    path("trend/<int:pk>/coverage/", views.story_coverage, name="story_coverage"),
    path("category/<slug:slug>/", views.category_page, name="category"),
    path("topic/<slug:slug>/", views.topic_page, name="topic"),
    path("search/", views.search_page, name="search"),
    path("how-it-works/", views.how_it_works, name="how"),
    path("digest/", views.digest_page, name="digest"),
    re_path(r"^digest/(?P<day>\d{4}-\d{2}-\d{2})/$", views.digest_page, name="digest_day"),
    # Feeds: RSS 2.0, Atom, JSON Feed 1.1.
    path("feeds/top.rss", syndication.top_rss, {"kind": "top"}, name="feed_top_rss"),
    path("feeds/top.atom", syndication.top_atom, {"kind": "top"}, name="feed_top_atom"),
    path("feeds/top.json", syndication.trends_json_feed, {"kind": "top"}, name="feed_top_json"),
    path(
        "feeds/category/<slug:key>.rss", syndication.top_rss, {"kind": "category"}, name="feed_category_rss"
    ),
    path(
        "feeds/category/<slug:key>.atom",
        syndication.top_atom,
        {"kind": "category"},
        name="feed_category_atom",
    ),
    path(
        "feeds/category/<slug:key>.json",
        syndication.trends_json_feed,
        {"kind": "category"},
        name="feed_category_json",
    ),
    path("feeds/topic/<slug:key>.rss", syndication.top_rss, {"kind": "topic"}, name="feed_topic_rss"),
    path("feeds/topic/<slug:key>.atom", syndication.top_atom, {"kind": "topic"}, name="feed_topic_atom"),
    path(
        "feeds/topic/<slug:key>.json", syndication.trends_json_feed, {"kind": "topic"}, name="feed_topic_json"
    ),
    path("feeds/trend/<int:pk>.rss", syndication.story_rss, name="feed_story_rss"),
    path("feeds/trend/<int:pk>.atom", syndication.story_atom, name="feed_story_atom"),
    path("feeds/trend/<int:pk>.json", syndication.story_json_feed, name="feed_story_json"),
    # JSON API.
    path("api/trends/", api.trends_list, name="api_trends"),
    path("api/trends/<int:pk>/", api.trend_detail, name="api_trend"),
    path("api/openapi.json", openapi.openapi_schema, name="openapi"),
]
