"""The module a WSGI server imports: `gunicorn wsgi:app`, `flask --app wsgi run`."""

from agreements import create_app

app = create_app()
