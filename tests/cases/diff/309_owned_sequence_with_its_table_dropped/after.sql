CREATE TABLE keeper (id integer);
