CREATE TYPE ticket_state AS ENUM ('new', 'open', 'waiting', 'closed');
