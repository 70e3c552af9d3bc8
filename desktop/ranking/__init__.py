"""The ranking of subordinate organisations for curators (issue 13 p.6): a sortable table and a bar chart."""
