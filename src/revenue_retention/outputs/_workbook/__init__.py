"""The workbook writer: typed cells, sheets and their layout (openpyxl), for any result's sheets.

What goes into the workbook is each presenter's ``sheets()``; ``overview.workbook`` puts
them in order and saves the file.
"""
