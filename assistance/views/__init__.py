"""Pages of social assistance (社会救助页面): work queue, overdue, application, case, what-if, household chain,
re-checks and printable documents. Reads go through the assistance selectors (scoped: out of scope is a 404),
writes through assistance.services / assistance.rechecks with the signed-in user as acting_user."""
