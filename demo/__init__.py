"""The demo city: Hanoi's 45 upper-level unions with generated unions, members and quotas.

`places` holds the fixed names, `plan` decides how many unions and members each
federation gets in each year (pinning the figures of the seed reports), `build`
turns the plan into rows and `writer` puts the rows into the database in bulk
(COPY on PostgreSQL).
"""
