"""Account security: what keeps people's accounts and requests safe.

- passwords: hashing and checking passwords (Argon2), and their length rules.
- account_tokens: the signed, expiring links that stand in for a password (reset, invite).
- protections: CSRF, security headers and rate limits that every request gets.
- form_tokens: the one-time token that makes a resubmitted page form write once.

May import: models, errors, wording, storage, Flask and its extensions (this is where the web meets
the secrets). Never services, web or API.
"""
