"""Programmes and enrolment (救助与补贴项目、享受名单): the Program/Enrolment kernel piece."""
