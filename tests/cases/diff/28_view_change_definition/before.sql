CREATE TABLE employee (
    id integer CONSTRAINT employee_pkey PRIMARY KEY,
    name text NOT NULL,
    department text NOT NULL,
    salary numeric(10, 2) NOT NULL,
    active boolean NOT NULL DEFAULT true
);

CREATE VIEW department_payroll AS
SELECT department, sum(salary) AS total_salary
FROM employee
GROUP BY department;
