CREATE TABLE employee (
    id integer CONSTRAINT employee_pkey PRIMARY KEY,
    name text NOT NULL,
    department text NOT NULL,
    salary numeric(10, 2) NOT NULL,
    active boolean NOT NULL DEFAULT true
);

CREATE VIEW active_employee AS
SELECT id, name, department FROM employee WHERE active;

CREATE VIEW department_headcount AS
SELECT department, count(*) AS headcount
FROM active_employee
GROUP BY department;
