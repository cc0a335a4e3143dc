Attribute VB_Name = "DjRibbon"
Option Explicit

' The one ribbon callback of the dj-addin add-in (ASCII only, like every module).
'
' Every button of customUI14.xml has onAction="DjRibbon.OnButton". The button's
' id (btnValidate, btnRun, ...) is handed to Python, where
' dj_addin.excel.ribbon.dispatch looks it up in dj_addin.addin.buttons.BUTTONS
' and runs that job on the calling workbook (xw.Book.caller()).
'
' The Python module is fixed and ASCII: RunPython never imports a module named
' after the workbook, so Chinese workbook names and paths cannot break it.
' RunPython comes from the xlwings module of this project, built from the
' xlwings package installed with dj-addin.

Public Sub OnButton(control As IRibbonControl)
    RunPython "import dj_addin.excel.ribbon as r; r.dispatch('" & control.Id & "')"
End Sub
