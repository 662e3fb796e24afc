CREATE TABLE audit_event (logged_on date NOT NULL, actor text NOT NULL);
