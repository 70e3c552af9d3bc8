"""«Итоги месяца» (issue 13 p.5): the monthly summary window, its export, measures and the reminder."""
