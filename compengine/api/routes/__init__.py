"""The API's routers, one module per area; `compengine.api.app.create_api` includes them."""
