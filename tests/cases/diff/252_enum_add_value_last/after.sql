CREATE TYPE ticket_state AS ENUM ('open', 'closed', 'archived');
